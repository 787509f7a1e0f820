/** Source modules whose import does something besides defining exports (repository paths). */
export declare const IMPORTED_FOR_EFFECT: readonly string[];
