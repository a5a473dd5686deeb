export { createChecksService, ChecksService } from './ChecksService';
export { createChecksRouter } from './createChecksRouter';
