/**
 * The national title and motto that head every official paper (Decree 30/2020, annex I): the one
 * spelling used by the documents, the quarterly report and the transmittal slips.
 */
export const NATIONAL_TITLE = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
export const NATIONAL_MOTTO = 'Độc lập - Tự do - Hạnh phúc';
