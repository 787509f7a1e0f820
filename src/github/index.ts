export {
  type CreateOctokitOptions,
  createOctokit,
  DEFAULT_GITHUB_API_URL,
  DEFAULT_RATE_LIMIT_RETRIES,
  githubBaseUrlFromEnv,
  SigilOctokit,
} from "./octokit.js";
