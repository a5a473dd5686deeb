export { useSubmitForm, REASON_REQUIRED } from './useSubmitForm';
export type { FieldPaths, SubmitForm, SubmitOptions } from './useSubmitForm';
export {
  FormErrors,
  FormShell,
  FormTextField,
  ReasonField,
} from './FormFields';
