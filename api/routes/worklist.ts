import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { principalOf, requireCaller } from '../auth';
import { queryProblems } from '../problems';
import { caseViewSchema } from '../../read-models/cases/view';
import { worklistOf } from '../../read-models/cases/worklist';

const workItemSchema = z
  .object({
    case: caseViewSchema,
    dueOn: z.string().nullable(),
    workingDaysLeft: z.number().int().nullable(),
    overdue: z.boolean(),
  })
  .meta({ id: 'WorkItem' });

/** The caller's worklist (việc cần làm), the screen a commune officer or provincial office starts the day with. */
export const worklistRoutes =
  (deps: Pick<AppDeps, 'sql'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);
    app.get(
      '/worklist',
      {
        schema: {
          summary: 'The cases waiting on the caller’s office, oldest time limit first, with working days left',
          description:
            'A commune officer’s ideas, plans and dossiers to check; a provincial office’s dossiers to decide; the ' +
            'Ministry’s potential 5★ dossiers. `workingDaysLeft` counts working days from today (Vietnam) to `dueOn`, ' +
            'public holidays excluded; negative once the limit has passed (`overdue`). Other roles get an empty list.',
          tags: ['products'],
          security: [{ bearer: [] }],
          response: { 200: z.object({ items: z.array(workItemSchema) }), ...queryProblems },
        },
      },
      async (req) => ({ items: await worklistOf(deps.sql, principalOf(req)) }),
    );
  };
