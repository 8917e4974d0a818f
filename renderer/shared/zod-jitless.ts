// Imported first by every page (through mount.tsx): the pages run under a content security policy
// without 'unsafe-eval' (server/http.ts, PAGE_CSP), so zod must not even probe for eval, and it probes
// as soon as a schema is built.
import { z } from 'zod';

z.config({ jitless: true });
