import { adversarialCases } from './adversarial-cases.js';
import { describeOnEachBackend } from './helpers.js';

describeOnEachBackend('adversarial examples', () => {
  adversarialCases();
});
