// The workflow bundle's entry point: every workflow type the worker registers.
export { productCase } from './product-case';
export { openDataExport, programme, programmeYear } from './programme';
