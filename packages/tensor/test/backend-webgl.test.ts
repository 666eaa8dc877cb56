import { backendSuite } from './backend-suite.js';

backendSuite('webgl');
