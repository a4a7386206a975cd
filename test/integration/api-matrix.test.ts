/** The role × route × jurisdiction matrix (./matrix.ts) for callers holding a development token. */
import { roleMatrix } from './matrix';

roleMatrix('dev token');
