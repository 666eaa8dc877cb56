// Node helpers shared by evaluate.mjs, make-fixture.mjs and the node tests: TF.js on the cpu backend,
// layers models read from and written to folders on disk, and IDX data sets.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

export { tf, tfl };

let ready;
/** Select the cpu backend once (quietly). */
export function useCpu() {
  ready ??= (async () => {
    // PROD silences the cpu backend's "install tfjs-node" banner; results are unaffected.
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
    await tf.ready();
  })();
  return ready;
}

/** Copy a Node Buffer into a standalone ArrayBuffer. */
export function toArrayBuffer(buf) {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}

/** Read model.json (+ its single weights file) from a folder as ModelArtifacts parts. */
export function readLayersArtifacts(dir) {
  const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const manifest = modelJson.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length !== 1 || manifest[0].paths.length !== 1) {
    throw new Error(`${dir}: expected one weights group with one file`);
  }
  const weightData = toArrayBuffer(readFileSync(join(dir, manifest[0].paths[0])));
  return { modelJson, modelTopology: modelJson.modelTopology, weightSpecs: manifest[0].weights, weightData };
}

/** Load a layers model from a folder with tf.io.fromMemory (weightData may be replaced, for tests). */
export async function loadLayersModelFromDir(dir, { weightData } = {}) {
  await useCpu();
  const a = readLayersArtifacts(dir);
  const handler = tf.io.fromMemory({
    modelTopology: a.modelTopology,
    weightSpecs: a.weightSpecs,
    weightData: weightData ?? a.weightData,
    userDefinedMetadata: a.modelJson.userDefinedMetadata,
  });
  const model = await tfl.loadLayersModel(handler);
  return { model, ...a };
}

/** Save a layers model into a folder as model.json + weights.bin (one group, one file). */
export async function saveLayersModelToDir(model, dir, userDefinedMetadata) {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (art) => {
    const weightData = Array.isArray(art.weightData) ? tf.io.concatenateArrayBuffers(art.weightData) : art.weightData;
    const json = {
      format: art.format,
      generatedBy: art.generatedBy,
      convertedBy: art.convertedBy ?? null,
      modelTopology: art.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: art.weightSpecs }],
      ...(userDefinedMetadata ? { userDefinedMetadata } : {}),
    };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json) + '\n');
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(weightData));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

/** Read an unsigned-byte IDX file (plain or .gz). Returns {dims, data: Uint8Array}. */
export function readIdx(path) {
  let buf = readFileSync(path);
  if (path.endsWith('.gz')) buf = gunzipSync(buf);
  if (buf[0] !== 0 || buf[1] !== 0 || buf[2] !== 0x08) throw new Error(`${path}: not an unsigned-byte IDX file`);
  const ndim = buf[3];
  const dims = [];
  for (let i = 0; i < ndim; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const data = new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * ndim, buf.length - 4 - 4 * ndim);
  if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${path}: size does not match its header`);
  return { dims, data };
}

/** Find <stem> or <stem>.gz in a folder. */
export function findIdx(dir, stem) {
  for (const name of [stem, `${stem}.gz`]) if (existsSync(join(dir, name))) return join(dir, name);
  throw new Error(`${stem}[.gz] not found in ${dir}`);
}
