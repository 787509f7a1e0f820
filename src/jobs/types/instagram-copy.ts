import { z } from "zod";
import { parseWith } from "../../core/index.js";
import { parseDoctrine } from "../doctrine.js";
import type { JobSnapshots, JobType, ProcessorPayload } from "../job-type.js";

/** What a brand.instagram_copy brief says about the post. */
export const InstagramCopyContext = z.strictObject({
  brand: z.string().min(1).max(200),
  product: z.string().min(1).max(500),
  audience: z.string().min(1).max(500),
  key_points: z.array(z.string().min(1).max(500)).max(10).default([]),
  call_to_action: z.string().min(1).max(300).optional(),
  hashtags: z
    .array(z.string().regex(/^[A-Za-z0-9_]{1,60}$/, "a hashtag without #"))
    .max(30)
    .default([]),
  language: z
    .string()
    .regex(/^[a-z]{2}(?:-[A-Z]{2})?$/, "a language tag like en or pt-BR")
    .default("en"),
});

function systemPrompt(context: z.infer<typeof InstagramCopyContext>, snapshots: JobSnapshots): string {
  const lines = [
    `You are the copywriter for ${context.brand}.`,
    `Write one Instagram caption in ${context.language}. Reply with the caption only.`,
  ];
  if (snapshots.doctrine) {
    const doctrine = parseDoctrine(snapshots.doctrine.content, snapshots.doctrine.doctrine_id);
    lines.push(
      "",
      `Follow this brand doctrine (${doctrine.doctrine_id} ${doctrine.version}) exactly:`,
      doctrine.body.trim(),
    );
  }
  return lines.join("\n");
}

/** The brief, as the user turn; in mock mode the processor echoes it back as the caption. */
function userPrompt(context: z.infer<typeof InstagramCopyContext>, objective: string | undefined): string {
  const lines = [
    ...(objective ? [`Objective: ${objective}`] : []),
    `Product: ${context.product}`,
    `Audience: ${context.audience}`,
    ...context.key_points.map((point) => `- ${point}`),
    ...(context.call_to_action ? [`Call to action: ${context.call_to_action}`] : []),
    ...(context.hashtags.length ? [context.hashtags.map((tag) => `#${tag}`).join(" ")] : []),
  ];
  return lines.join("\n");
}

function buildPayload(snapshots: JobSnapshots): ProcessorPayload {
  const context = parseWith(InstagramCopyContext, snapshots.context, "ERR_RUN_CORRUPT", "context snapshot");
  const { model, params } = snapshots.modelConfig;
  return {
    ...(model === undefined ? {} : { model }),
    params: {
      ...params,
      messages: [
        { role: "system", content: systemPrompt(context, snapshots) },
        { role: "user", content: userPrompt(context, snapshots.brief.objective) },
      ],
    },
  };
}

export const instagramCopy: JobType = {
  id: "brand.instagram_copy",
  version: 1,
  summary: "Write an Instagram caption with llm/litellm@1, following the brand doctrine when one is given.",
  context: InstagramCopyContext,
  usesModel: true,
  doctrine: "optional",
  executor: { kind: "processor", ref: "llm/litellm@1", buildPayload },
};
