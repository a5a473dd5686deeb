export { RunbookService } from './RunbookService';
export { RUNBOOK_LIBRARY } from './library';
export type { RunbookTemplate } from './RunbookTemplate';
