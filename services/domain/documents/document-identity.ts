/**
 * What names an official document in every register, electronic or on paper (Decree 30/2020,
 * Appendix IV): its sender, type, number and notation, year, issue day and subject.
 */
export interface DocumentIdentity {
  senderCode: string;
  documentType: string;
  number: string;
  notation: string;
  year: number;
  issuedOn: string;
  subject: string;
}
