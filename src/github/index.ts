export {
  type CreateOctokitOptions,
  createOctokit,
  DEFAULT_GITHUB_API_URL,
  DEFAULT_RATE_LIMIT_RETRIES,
  githubApiUrlFromEnv,
  githubBaseUrlFromEnv,
  SigilOctokit,
} from "./octokit.js";
