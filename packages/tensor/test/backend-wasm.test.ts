import { backendSuite } from './backend-suite.js';

backendSuite('wasm');
