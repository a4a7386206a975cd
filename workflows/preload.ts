import { z } from 'zod';

/*
 * zod, evaluated once per worker and shared by every workflow (`preloadModules` in worker/index.ts). The worker
 * freezes what shared modules export, so zod's lazily set globals (its default locale, and the memoizer containers
 * use) are set here by building a container schema first. Building it is also what keeps this import in the bundle:
 * zod is marked free of side effects.
 */
z.object({ preloaded: z.string() });
