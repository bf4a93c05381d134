/** The introduction of the API reference (OpenAPI info.description, Markdown): Vietnamese first, English beside. */
export const API_INTRODUCTION = `Liên Thông trao đổi văn bản điện tử giữa các cơ quan nhà nước: hệ thống quản lý văn bản của cơ quan gửi văn bản qua API này; Liên Thông chuyển sang PDF theo thể thức Nghị định 30, ký số (PAdES) bằng chứng thư của cơ quan gửi và chuyển đến từng nơi nhận (hộp thư trên Liên Thông, đẩy tới hệ thống của cơ quan, hoặc ghi nhận gửi giấy).

*English:* electronic exchange of official documents between state agencies. Agencies' systems submit documents here; Liên Thông converts them to PDF in the official layout, signs them with the sender's certificate and delivers them to every recipient.

## Xác thực · Authentication
Mỗi khóa API thuộc một cơ quan: \`Authorization: Bearer <khóa API>\`. Mọi thao tác chỉ trong phạm vi cơ quan đó (văn bản của cơ quan khác là "không tìm thấy"). Mỗi khóa có giới hạn số yêu cầu mỗi phút (429 kèm \`Retry-After\`).

## Thử ngay · Try it against your sandbox
1. Người vận hành tạo cơ quan thử nghiệm: \`npx lienthong sandbox create\` → hai cơ quan \`SANDBOX.…A\` (gửi) và \`SANDBOX.…B\` (nhận), mỗi cơ quan một khóa API. Cơ quan thử nghiệm được đánh dấu, **không tính vào thống kê**, và chỉ gửi/nhận văn bản với nhau.
2. Bấm **Authorize** ở đầu trang, dán khóa của \`SANDBOX.…A\`.
3. Mở "Gửi văn bản", bấm **Try it out**, thay \`SANDBOX.XXXXXX.B\` trong ví dụ bằng mã cơ quan nhận của bạn, bấm **Execute**.

*English:* ask the operator for \`lienthong sandbox create\` (two marked test agencies with keys, left out of the statistics), press Authorize with the sender's key, then "Try it out" on any operation.

## Lỗi · Errors
Mọi lỗi có dạng \`{"error": {"code": "VALIDATION_FAILED", "message": "câu tiếng Việt", "details": [...]}}\`; \`code\` dành cho máy, \`message\` cho người. Mỗi phản hồi lỗi bên dưới ghi các mã đi kèm mã HTTP đó. Yêu cầu bị từ chối không để lại gì (không văn bản, tệp hay tác vụ dở dang).

## Nhận văn bản qua đẩy (push) · Receiving by push
Liên Thông gửi \`POST <điểm nhận>\` với gói edXML (hoặc JSON), và các tiêu đề:
\`X-LienThong-Delivery\` (mã lần chuyển, giữ nguyên khi thử lại: dùng để loại trùng), \`X-LienThong-Timestamp\` (giây Unix), \`X-LienThong-Signature: sha256=<hex HMAC-SHA256 của "<timestamp>.<body>" với khóa bí mật của cơ quan>\`, \`X-LienThong-Attempt\`.
Điểm nhận phải: kiểm tra chữ ký (so sánh thời gian hằng), từ chối dấu thời gian lệch quá 5 phút (401/403), trả 2xx cho lần chuyển lặp lại mà không ghi nhận hai lần, không chuyển hướng (3xx là lần gửi thất bại), trả lời trong 10 giây, nhận gói tới 20 MB, nhận cả thông điệp trạng thái. Kiểm tra trước khi chuyển sang push: \`npx lienthong conformance push --endpoint URL --secret-env BIEN\`.
Điểm nhận phải là \`https://\` (ngoài chế độ phát triển); địa chỉ nội bộ (loopback, private, link-local, metadata) bị từ chối trừ khi người vận hành cho phép riêng (\`agency add --allow-private-endpoint\`).

*English:* verify the HMAC in constant time, refuse timestamps more than 5 minutes off with 401/403, answer a repeated delivery id with 2xx without filing it twice, never redirect, answer within 10 s, accept 20 MB envelopes and status messages. Check it with \`lienthong conformance push\`. Endpoints must be https outside dev mode; private addresses only when the operator allows them.

## Java (JVM)
\`\`\`java
// Gửi văn bản (JSON, nội dung trình bày theo Nghị định 30) — Java 11+, không cần thư viện ngoài
var http = java.net.http.HttpClient.newHttpClient();
var json = """
  {"metadata": {"documentType": "CV", "notation": "UBND-VP", "issuedOn": "2026-11-28", "place": "Đắk Lắk",
    "subject": "Thử nghiệm", "signer": {"authority": "TL.", "position": "CHÁNH VĂN PHÒNG", "fullName": "Nguyễn Văn Mẫu"},
    "recipients": ["SANDBOX.XXXXXX.B"]},
   "body": {"blocks": [{"type": "paragraph", "text": "Văn bản thử nghiệm."}]}}""";
var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/v1/documents"))
    .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build();
var res = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()); // 202 {"id": …}

// Kiểm tra chữ ký một lần đẩy (push) tới hệ thống của bạn
static boolean verifyPush(String timestamp, String signature, byte[] body, byte[] secret) throws Exception {
  long age = Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(timestamp));
  if (age > 300) return false;
  var mac = javax.crypto.Mac.getInstance("HmacSHA256");
  mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
  mac.update((timestamp + ".").getBytes(java.nio.charset.StandardCharsets.UTF_8));
  var expected = "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body));
  return java.security.MessageDigest.isEqual(expected.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
      signature.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
}
\`\`\`
`;
