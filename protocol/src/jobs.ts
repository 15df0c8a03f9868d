import { z } from 'zod';

/** Queue name -> job name -> payload schema. Producers and workers both read this. */
export const jobSchemas = {
  maintenance: {
    'sessions.cleanup': z.object({ olderThanDays: z.number().int().min(0).max(365) }),
  },
} as const;

export type QueueName = keyof typeof jobSchemas;
export type JobName<Q extends QueueName> = keyof (typeof jobSchemas)[Q] & string;
export type JobPayload<Q extends QueueName, N extends JobName<Q>> = z.infer<(typeof jobSchemas)[Q][N]>;
