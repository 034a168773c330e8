export { driver } from './driver.js';
export { TestConnection, type TestNode } from './test-connection.js';
