import type { Config } from '../config/config';
import type { Db } from '../db/pool';
import type { DocumentRow } from '../domain/documents/document-reads';
import { documentEnvelope } from '../domain/edxml/document-envelope';
import { AxisClient, axisSettings } from './axis-client';

/**
 * One delivery attempt to a recipient reached through the national axis: the signed document in
 * its edXML envelope, sent to the axis addressed to that recipient. It counts when the axis
 * answers with its id for the message (proof `receipt`); any refusal or network error is a failed
 * attempt, retried by the deliver stage under the delivery rules (attempts, budget, alert).
 * A retry may send the envelope twice; receivers drop a repeated DocumentId.
 */
export async function deliverThroughAxis(db: Db, config: Config, doc: DocumentRow, recipientCode: string): Promise<{ httpStatus: number; proof: 'receipt'; axisId: string }> {
  const settings = axisSettings(config);
  if (!settings) {
    throw new Error(`trục liên thông quốc gia chưa được cấu hình (LIENTHONG_AXIS_URL, LIENTHONG_AXIS_SYSTEM_ID, LIENTHONG_AXIS_SECRET): chưa gửi được tới ${recipientCode}`);
  }
  const xml = await documentEnvelope(db, doc);
  const axisId = await new AxisClient(settings).sendEnvelope(xml, { from: doc.senderCode, to: [recipientCode], messageType: 'edoc' });
  return { httpStatus: 200, proof: 'receipt', axisId };
}
