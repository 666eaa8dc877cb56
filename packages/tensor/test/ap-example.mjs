/**
 * The five-detection average-precision example, shared by test/detection.test.ts and
 * test-node/detection.test.mjs. Three objects; by score the detections are TP, FP, TP, FP (a second
 * hit on the first object), TP: precision 1, 1/2, 2/3, 2/4, 3/5 at recall 1/3, 1/3, 2/3, 2/3, 1, so
 * AP (VOC all-point) = 1/3 * 1 + 1/3 * 2/3 + 1/3 * 3/5 = 34/45. Given out of score order on purpose.
 */
export const AP_GROUND_TRUTH = [{ box: [0, 0, 10, 10] }, { box: [20, 0, 30, 10] }, { box: [40, 0, 50, 10] }];
export const AP_DETECTIONS = [
  { box: [1, 0, 11, 10], score: 0.6 },
  { box: [0, 0, 10, 10], score: 0.9 },
  { box: [40, 0, 50, 10], score: 0.5 },
  { box: [60, 60, 70, 70], score: 0.8 },
  { box: [21, 0, 31, 10], score: 0.7 },
];
