/**
 * The one rule for a widget's settings (attributes an instructor writes): an out-of-range or
 * unparsable value is clamped or defaulted, and a quiet, visible notice in the widget says what was
 * used instead ("epsilon=5 is above the maximum 1: using 1."). Never a console warning alone, never
 * a silent fix, never a red alert for a setting (alerts are for things that failed).
 *
 * Pure helpers (`clampSetting`, `chooseSetting`) return `{value, notice}`; the `SettingsNotices`
 * controller keeps one notice per setting (a later valid value clears it) and renders them as a
 * `<convlab-notice>`. `ModelSource` owns one (`source.settings`), and renders it under the status line.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type ReactiveElement } from 'lit';

/** A checked setting: the value to use and, when it differs from what was written, why. */
export interface Setting<T> {
  value: T;
  /** Says what was written and what is used instead; undefined when the value was fine. */
  notice?: string;
}

export interface NumberSettingSpec {
  min?: number;
  max?: number;
  /** Used when the value is not a number. */
  default: number;
  /** Round to a whole number (said in the notice when it changed the value). */
  integer?: boolean;
}

/** How a written value is quoted in a notice: numbers bare, anything else in double quotes. */
function quote(raw: unknown): string {
  const s = String(raw);
  return /^\s*-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(s) ? s.trim() : `"${s}"`;
}

const fmt = (n: number) => String(Number.parseFloat(n.toPrecision(12)));

/**
 * Parses and clamps a numeric setting. `raw` is what was written (a string from an attribute or a
 * number from a property). Empty, unparsable or non-finite values take the default.
 *
 *   clampSetting('epsilon', '5', {min: 0, max: 1, default: 0.1})
 *     -> {value: 1, notice: 'epsilon=5 is above the maximum 1: using 1.'}
 */
export function clampSetting(name: string, raw: unknown, spec: NumberSettingSpec): Setting<number> {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n)) {
    const what = raw === '' || raw == null ? `${name} is empty` : `${name}=${quote(raw)} is not a number`;
    return { value: spec.default, notice: `${what}: using the default ${fmt(spec.default)}.` };
  }
  let v = n;
  let notice: string | undefined;
  if (spec.integer && !Number.isInteger(v)) {
    v = Math.round(v);
    notice = `${name}=${quote(raw)} is not a whole number: using ${fmt(v)}.`;
  }
  if (spec.max !== undefined && v > spec.max) {
    v = spec.max;
    notice = `${name}=${quote(raw)} is above the maximum ${fmt(spec.max)}: using ${fmt(v)}.`;
  } else if (spec.min !== undefined && v < spec.min) {
    v = spec.min;
    notice = `${name}=${quote(raw)} is below the minimum ${fmt(spec.min)}: using ${fmt(v)}.`;
  }
  return { value: v, notice };
}

/**
 * Checks a setting that takes one of a few words (case-insensitive); anything else takes the default.
 *
 *   chooseSetting('mode', 'fast', ['untargeted', 'targeted'], 'untargeted')
 *     -> {value: 'untargeted', notice: 'mode="fast" is not one of untargeted, targeted: using untargeted.'}
 */
export function chooseSetting<T extends string>(name: string, raw: unknown, allowed: readonly T[], fallback: T): Setting<T> {
  const s = String(raw ?? '').trim();
  const hit = allowed.find((a) => a.toLowerCase() === s.toLowerCase());
  if (hit !== undefined) return { value: hit };
  return { value: fallback, notice: `${name}=${quote(raw ?? '')} is not one of ${allowed.join(', ')}: using ${fallback}.` };
}

type NoticeHost = ReactiveControllerHost & HTMLElement;

/**
 * Whether control group `name` shows, by a widget's `controls` attribute: 'all' or empty shows every
 * group, 'none' hides them all, otherwise the groups listed (separated by commas or spaces).
 */
export function controlShown(controls: string | null | undefined, name: string): boolean {
  const list = String(controls ?? '').trim().toLowerCase();
  if (list === 'all' || list === '') return true;
  if (list === 'none') return false;
  return list.split(/[\s,]+/).includes(name);
}

/**
 * Keeps the settings notices of one widget (one per setting: a later valid value clears it) and
 * renders them. Use it from `willUpdate`, where a corrected value is applied in the same update:
 *
 *   if (changed.has('epsilon')) this.epsilon = this.settings.number('epsilon', {min: 0, max: 1, default: 0.1});
 *
 * The notice names the attribute (kebab-case, from the property's declaration) and quotes the text
 * the attribute had when the property could not hold it (`epsilon="abc"`, not `epsilon=NaN`).
 */
export class SettingsNotices implements ReactiveController {
  private readonly notices = new Map<string, string>();
  /** The value each notice put in place: seeing it again (the correction coming back) keeps the notice. */
  private readonly used = new Map<string, unknown>();

  constructor(private readonly host: NoticeHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** The attribute name of a property (its declared `attribute`, else the property name lower-cased, as Lit does). */
  attributeOf(prop: string): string {
    const decl = (this.host.constructor as typeof ReactiveElement).elementProperties?.get(prop);
    const a = decl?.attribute;
    return typeof a === 'string' ? a : prop.toLowerCase();
  }

  /** What was written for a property: its attribute's text when the property holds NaN (a Number attribute that did not parse). */
  raw(prop: string): unknown {
    const v = (this.host as unknown as Record<string, unknown>)[prop];
    if (typeof v === 'number' && Number.isNaN(v)) {
      const text = this.host.getAttribute(this.attributeOf(prop));
      if (text !== null) return text;
    }
    return v;
  }

  /** Checks numeric property `prop` against `spec`, records (or clears) its notice, returns the value to use. */
  number(prop: string, spec: NumberSettingSpec): number {
    const raw = this.raw(prop);
    if (this.keeps(prop, raw)) return raw as number;
    const r = clampSetting(this.attributeOf(prop), raw, spec);
    this.set(prop, r.notice, r.value);
    return r.value;
  }

  /** Checks word property `prop` against `allowed`, records (or clears) its notice, returns the value to use. */
  choice<T extends string>(prop: string, allowed: readonly T[], fallback: T): T {
    const raw = this.raw(prop);
    if (this.keeps(prop, raw)) return raw as T;
    const r = chooseSetting(this.attributeOf(prop), raw, allowed, fallback);
    this.set(prop, r.notice, r.value);
    return r.value;
  }

  /** True when `raw` is the very value a standing notice put in place (the corrected value set back on the property). */
  private keeps(prop: string, raw: unknown): boolean {
    return this.notices.has(prop) && this.used.has(prop) && Object.is(this.used.get(prop), raw);
  }

  /**
   * Records a widget's own notice for a setting (undefined or '' clears it). `used`: the value put in
   * place; while the setting keeps that value, `number` and `choice` keep the notice.
   */
  set(key: string, notice?: string, used?: unknown): void {
    const had = this.notices.get(key);
    if (notice) {
      this.notices.set(key, notice);
      if (used !== undefined) this.used.set(key, used);
      else this.used.delete(key);
    } else {
      this.notices.delete(key);
      this.used.delete(key);
    }
    if (had !== (notice || undefined)) this.host.requestUpdate();
  }

  /** Drops every notice. */
  clear(): void {
    if (!this.notices.size) return;
    this.notices.clear();
    this.used.clear();
    this.host.requestUpdate();
  }

  /** The current notices, in the order the settings were first found wrong. */
  get messages(): string[] {
    return [...this.notices.values()];
  }

  /** `<convlab-notice>` with the notices (nothing when there are none). */
  render() {
    const m = this.messages;
    return m.length ? html`<convlab-notice kind="settings" .messages=${m}></convlab-notice>` : nothing;
  }
}
