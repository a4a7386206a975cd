/**
 * The role × route × jurisdiction matrix (./matrix.ts) for programs: each caller is a machine account acting
 * through an EdDSA machine token issued under its one grant (the admin, which no machine may be, is a session).
 */
import { roleMatrix } from './matrix';

roleMatrix('machine token');
