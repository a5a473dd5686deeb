export { registerAccessControl } from './registerAccessControl';
export {
  classifyRequest,
  createAccessMiddleware,
} from './createAccessMiddleware';
export type { RequestClass } from './createAccessMiddleware';
export { ACCESS_CONFIG_KEYS, readAccessConfig } from './readAccessConfig';
export type { AccessConfig } from './readAccessConfig';
