export { EntityRunbooksCard, SERVICE_RUNBOOKS } from './EntityRunbooksCard';
export { RunbookContent } from './RunbookContent';
export { RunbookPage } from './RunbookPage';
