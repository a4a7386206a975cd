/**
 * The role × route × jurisdiction matrix (./matrix.ts) for people signed in to built-in accounts: each caller acts
 * through its session cookie, every write with the session's CSRF token; an admin's session has passed TOTP.
 */
import { roleMatrix } from './matrix';

roleMatrix('session');
