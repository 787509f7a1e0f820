export interface Blob {
  mediaType: string;
  bytes: Buffer;
  digest: string;
  size: number;
}
export interface BuiltImage {
  blobs: Blob[];
  manifests: Blob[];
  index: Blob;
  platformDigests: Record<string, string>;
}
export function buildImage(options?: {
  platforms?: string[];
  attestations?: boolean;
  seed?: string;
}): BuiltImage;
export function pushImage(
  baseUrl: string,
  repository: string,
  tag: string,
  image: BuiltImage,
  options?: { authorization?: string; single?: boolean },
): Promise<string>;
