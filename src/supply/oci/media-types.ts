/** The manifest media types the client asks for and understands (docs/supply-chain.md). */
export const MEDIA = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

/** Indexes first: a registry that holds both answers with the list, which is what we assert on. */
export const MANIFEST_ACCEPT = [
  MEDIA.ociIndex,
  MEDIA.dockerList,
  MEDIA.ociManifest,
  MEDIA.dockerManifest,
].join(", ");

export const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA.ociIndex, MEDIA.dockerList]);
export const MANIFEST_TYPES: ReadonlySet<string> = new Set([MEDIA.ociManifest, MEDIA.dockerManifest]);

/** BuildKit marks its provenance/SBOM manifests with this annotation (and platform unknown/unknown). */
export const REFERENCE_TYPE_ANNOTATION = "vnd.docker.reference.type";
export const ATTESTATION_MANIFEST = "attestation-manifest";

/** Manifests larger than this are refused unread, as containerd does. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
