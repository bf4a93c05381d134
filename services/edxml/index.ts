export * from './edxml-types';
export { parseEdxml } from './parse-edxml';
export { emitEdxmlDocument, emitEdxmlStatus, edxmlDocumentId } from './emit-edxml';
export { toDocumentMetadata, fromDocumentMetadata, documentTypeFromName, steeringFromEdxml, steeringToEdxml, type EdxmlEnvelopeContext } from './edxml-mapping';
export { parseEdxmlDate, parseEdxmlTimestamp, formatEdxmlDate, formatEdxmlTimestamp, edxmlTimestampOf } from './edxml-values';
