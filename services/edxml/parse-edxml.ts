import { readAttachments } from './edxml-attachments';
import {
  DEFAULT_EDXML_LIMITS, EDXML_NS, EDXML_STATUS_CODES, EdxmlError, type EdxmlBusiness, type EdxmlBusinessDocType, type EdxmlDocument,
  type EdxmlLimits, type EdxmlMessage, type EdxmlOrgan, type EdxmlOtherInfo, type EdxmlResponseFor, type EdxmlStaffInfo,
  type EdxmlStatus, type EdxmlStatusCodeValue,
} from './edxml-types';
import { checkOrganId, compact, parseEdxmlDate, parseEdxmlTimestamp } from './edxml-values';
import { decodeInput, displayPath, invalid, kid, kids, missing, need, parseXmlTree, reqStr, scanXmlShape, str, type XNode } from './xml-tree';

/**
 * Reads an edXML envelope (document or status). Namespace-aware and order-free: children are found
 * by namespace and local name wherever they are, whatever their prefix. Refuses DTDs, oversized or
 * over-deep input and zip bombs before doing the expensive work.
 */
export function parseEdxml(xml: string | Buffer, limits?: Partial<EdxmlLimits>): EdxmlMessage {
  const lim: EdxmlLimits = { ...DEFAULT_EDXML_LIMITS, ...limits };
  const text = decodeInput(xml, lim);
  scanXmlShape(text, lim);
  const root = parseXmlTree(text);
  if (root.uri !== EDXML_NS || (root.local !== 'edXML' && root.local !== 'edXMLEnvelope')) {
    throw new EdxmlError('EDXML_MALFORMED', `root element {${root.uri}}${root.local} is not an edXML envelope (expected edXML in ${EDXML_NS})`, root.local);
  }
  // The samples wrap the envelope in <edXML>; a bare envelope is accepted as well.
  const envelope = root.local === 'edXMLEnvelope' ? root : need(root, 'edXMLEnvelope');
  const header = need(envelope, 'edXMLHeader');
  const mh = need(header, 'MessageHeader');
  if (kid(mh, 'StatusCode')) return { kind: 'status', status: readStatus(mh) };
  return { kind: 'document', document: readDocument(root, envelope, header, mh, lim) };
}

function readDocument(root: XNode, envelope: XNode, header: XNode, mh: XNode, limits: EdxmlLimits): EdxmlDocument {
  const to = kids(mh, 'To').filter((t) => t.children.length > 0);
  if (to.length === 0) throw missing(mh, 'To');
  const code = need(mh, 'Code');
  const prom = need(mh, 'PromulgationInfo');
  const type = kid(mh, 'DocumentType');
  const signer = kid(mh, 'SignerInfo');
  const dueRaw = str(mh, 'DueDate');
  const traceList = kid(header, 'TraceHeaderList');
  const steering = str(mh, 'SteeringType');
  if (steering !== undefined && !/^[0-3]$/.test(steering)) throw invalid(need(mh, 'SteeringType'), `"${steering}" is not a steering type (0–3)`);
  return compact({
    from: readOrgan(need(mh, 'From')),
    to: to.map(readOrgan),
    documentId: documentIdOf(mh, 'DocumentId') ?? null,
    code: { number: reqStr(code, 'CodeNumber'), notation: reqStr(code, 'CodeNotation') },
    promulgation: { place: str(prom, 'Place') ?? '', date: dateOf(prom, 'PromulgationDate') },
    documentType: compact({ type: str(type, 'Type'), typeDetail: str(type, 'TypeDetail'), typeName: str(type, 'TypeName') }),
    subject: reqStr(mh, 'Subject'),
    content: str(mh, 'Content'),
    signer: compact({ competence: str(signer, 'Competence'), position: str(signer, 'Position'), fullName: str(signer, 'FullName') }),
    dueDate: dueRaw === undefined ? undefined : parseEdxmlDate(dueRaw, displayPath(`${mh.path}/DueDate`)),
    otherInfo: readOtherInfo(kid(mh, 'OtherInfo')),
    // An all-empty ResponseFor block is a template left in place, not a reference.
    responseFor: kids(mh, 'ResponseFor').filter((r) => r.children.some((c) => c.text.trim())).map(readResponseFor),
    steeringType: steering,
    toPlaces: kids(kid(mh, 'ToPlaces'), 'Place').map((p) => p.text.trim()).filter(Boolean),
    business: readBusiness(kid(traceList, 'Bussiness', 'Business')),
    traceHeaders: kids(traceList, 'TraceHeader').map((t) => ({
      organId: checkOrganId(reqStr(t, 'OrganId'), displayPath(`${t.path}/OrganId`)),
      timestamp: parseEdxmlTimestamp(reqStr(t, 'Timestamp'), displayPath(`${t.path}/Timestamp`)),
    })),
    attachments: readAttachments(root, envelope, limits),
  });
}

function readStatus(mh: XNode): EdxmlStatus {
  const codeNode = need(mh, 'StatusCode');
  const raw = codeNode.text.trim();
  const statusCode = (/^\d$/.test(raw) ? `0${raw}` : raw) as EdxmlStatusCodeValue;
  if (!EDXML_STATUS_CODES.includes(statusCode)) throw invalid(codeNode, `"${raw}" is not a status code (${EDXML_STATUS_CODES.join(', ')})`);
  return compact({
    from: readOrgan(need(mh, 'From')),
    responseFor: readResponseFor(need(mh, 'ResponseFor')),
    staffInfo: readStaff(kid(mh, 'StaffInfo')),
    statusCode,
    description: str(mh, 'Description'),
    timestamp: parseEdxmlTimestamp(reqStr(mh, 'Timestamp'), displayPath(`${mh.path}/Timestamp`)),
  });
}

function readOrgan(node: XNode): EdxmlOrgan {
  return compact({
    organId: checkOrganId(reqStr(node, 'OrganId'), displayPath(`${node.path}/OrganId`)),
    organName: str(node, 'OrganName') ?? '',
    organizationInCharge: str(node, 'OrganizationInCharge'),
    organAdd: str(node, 'OrganAdd'),
    email: str(node, 'Email'),
    telephone: str(node, 'Telephone'),
    fax: str(node, 'Fax'),
    website: str(node, 'Website'),
  });
}

function readResponseFor(node: XNode): EdxmlResponseFor {
  const date = str(node, 'PromulgationDate');
  return {
    organId: checkOrganId(reqStr(node, 'OrganId'), displayPath(`${node.path}/OrganId`)),
    code: reqStr(node, 'Code'),
    promulgationDate: date === undefined ? null : parseEdxmlDate(date, displayPath(`${node.path}/PromulgationDate`)),
    documentId: documentIdOf(node, 'DocumentId') ?? null,
  };
}

function readStaff(node: XNode | undefined): EdxmlStaffInfo | undefined {
  if (!node) return undefined;
  const staff = compact({ department: str(node, 'Department'), staff: str(node, 'Staff'), email: str(node, 'Email'), mobile: str(node, 'Mobile') });
  return Object.keys(staff).length ? staff : undefined;
}

function readOtherInfo(node: XNode | undefined): EdxmlOtherInfo {
  const priority = intOf(node, 'Priority', 0, 4) ?? 0;
  const directionNode = kid(node, 'Direction');
  const direction = str(node, 'Direction')?.toLowerCase();
  if (directionNode && direction !== undefined && !['true', 'false', '1', '0'].includes(direction)) throw invalid(directionNode, `"${direction}" is not true/false`);
  const appendixes = kid(node, 'Appendixes');
  return compact({
    priority: priority as EdxmlOtherInfo['priority'],
    sphereOfPromulgation: str(node, 'SphereOfPromulgation'),
    typerNotation: str(node, 'TyperNotation'),
    promulgationAmount: intOf(node, 'PromulgationAmount', 0, 1e9),
    pageAmount: intOf(node, 'PageAmount', 0, 1e9),
    direction: direction === undefined ? undefined : direction === 'true' || direction === '1',
    appendixes: appendixes ? kids(appendixes, 'Appendix').map((a) => a.text.trim()).filter(Boolean) : undefined,
  });
}

function readBusiness(node: XNode | undefined): EdxmlBusiness {
  // A missing Bussiness block can only mean an ordinary new document.
  if (!node) return { businessDocType: 0, paper: 0 };
  const type = intOf(node, ['BussinessDocType', 'BusinessDocType'], 0, 3) ?? 0;
  const paper = intOf(node, 'Paper', 0, 1) ?? 0;
  const info = kid(node, 'BussinessDocumentInfo', 'BusinessDocumentInfo');
  const replacements = kid(node, 'ReplacementInfoList');
  return compact({
    documentId: documentIdOf(node, 'DocumentId'),
    businessDocType: type as EdxmlBusinessDocType,
    businessDocReason: str(node, 'BussinessDocReason', 'BusinessDocReason'),
    paper: paper as 0 | 1,
    staffInfo: readStaff(kid(node, 'StaffInfo')),
    documentInfo: info
      ? compact({
          documentInfo: str(info, 'DocumentInfo'),
          documentReceiver: str(info, 'DocumentReceiver'),
          receivers: kids(kid(info, 'ReceiverList'), 'Receiver').map((r) =>
            compact({ organId: checkOrganId(reqStr(r, 'OrganId'), displayPath(`${r.path}/OrganId`)), receiverType: str(r, 'ReceiverType') }),
          ),
        })
      : undefined,
    replacementInfo: replacements
      ? kids(replacements, 'ReplacementInfo').map((r) => ({
          documentId: documentIdOf(r, 'DocumentId', true)!,
          organIds: kids(kid(r, 'OrganIdList'), 'OrganId').map((o) => checkOrganId(o.text.trim(), displayPath(o.path))),
        }))
      : undefined,
  });
}

/**
 * A DocumentId, which carries the promulgation date in the common form
 * `<OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>`: when its second part looks like a date, the date must
 * exist (2014/02/30 does not), else the envelope is refused naming the element. Other forms (the
 * year-only variant, opaque ids) are kept as they are.
 */
function documentIdOf(node: XNode, local: string, required = false): string | undefined {
  const value = required ? reqStr(node, local) : str(node, local);
  if (value === undefined) return undefined;
  const middle = value.split(',')[1]?.trim();
  if (middle !== undefined && /^\d{1,4}[/-]\d{1,2}[/-]\d{1,4}$/.test(middle)) parseEdxmlDate(middle, displayPath(`${node.path}/${local}`));
  return value;
}

function dateOf(node: XNode, local: string): string {
  return parseEdxmlDate(reqStr(node, local), displayPath(`${node.path}/${local}`));
}

function intOf(node: XNode | undefined, locals: string | string[], min: number, max: number): number | undefined {
  const names = Array.isArray(locals) ? locals : [locals];
  const raw = str(node, ...names);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw invalid(kid(node, ...names)!, `"${raw.slice(0, 40)}" is not a whole number from ${min} to ${max}`);
  return n;
}
