/** The body schema is part of the HTTP contract and lives in contracts/; re-exported for the renderer. */
export * from '../../contracts/document-body';
