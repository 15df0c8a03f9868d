// Values the lead's Vitest globalSetup passes with `provide`.
declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    databaseUrl: string;
    adminEmail: string;
    adminPassword: string;
    teacherEmail: string;
    teacherPassword: string;
    studentEmail: string;
    studentPassword: string;
    redisPrefix: string;
    chainEnv: Record<string, string>;
  }
}

export {};
