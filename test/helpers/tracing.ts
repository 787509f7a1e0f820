import type { Tracer } from "../../src/observability/index.js";

const boom = () => {
  throw new Error("tracer exploded");
};

/** A tracer that fails at every step, in every way it can. */
export const throwingTracer: Tracer = {
  name: "throwing",
  startTrace: () => ({
    get traceId(): string {
      return boom();
    },
    span: boom,
    end: boom,
  }),
  shutdown: async () => boom(),
};

export { boom };
