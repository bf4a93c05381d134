/* Progressive enhancement only: every page works without this file. CSP forbids inline scripts. */
(function () {
  'use strict';

  // Recipient picker: a search box that filters the agency list.
  var search = document.getElementById('recipient-search');
  if (search) {
    search.closest('.picker-search').hidden = false;
    var items = document.querySelectorAll('.agency-list .check');
    search.addEventListener('input', function () {
      var q = search.value.trim().toLowerCase();
      items.forEach(function (el) { el.hidden = q !== '' && el.getAttribute('data-search').indexOf(q) < 0; });
    });
  }

  // Send form: show only the chosen source (upload or compose).
  var radios = document.querySelectorAll('input[name="source"][type="radio"]');
  function syncSource() {
    var compose = document.querySelector('input[name="source"][value="compose"]:checked') !== null;
    document.querySelectorAll('.source-upload').forEach(function (el) { el.hidden = compose; });
    document.querySelectorAll('.source-compose').forEach(function (el) { el.hidden = !compose; });
  }
  if (radios.length) { radios.forEach(function (r) { r.addEventListener('change', syncSource); }); syncSource(); }

  // Body editor: buttons that start a new paragraph, numbered item or sub-item.
  var tools = document.querySelector('.editor-tools');
  var body = document.getElementById('bodyText');
  if (tools && body) {
    tools.hidden = false;
    tools.addEventListener('click', function (ev) {
      var kind = ev.target && ev.target.getAttribute('data-insert');
      if (!kind) return;
      var lines = body.value.split('\n');
      var n = lines.filter(function (l) { return /^\d+\.\s/.test(l.trim()); }).length + 1;
      var prefix = kind === 'item' ? n + '. ' : kind === 'sub' ? 'a) ' : '';
      body.value = body.value.replace(/\s*$/, '') + (body.value.trim() ? '\n' : '') + prefix;
      body.focus();
      body.setSelectionRange(body.value.length, body.value.length);
    });
  }

  // Live statuses: server-sent events of this agency's documents update the pills in place.
  var LABELS = { pending: 'Đang chuyển', delivering: 'Đang gửi', delivered: 'Đã đến', paper: 'Gửi giấy', failed: 'Gửi lỗi',
    refused: 'Từ chối', accepted: 'Tiếp nhận', assigned: 'Phân công', processing: 'Đang xử lý', completed: 'Hoàn thành', revoked: 'Thu hồi' };
  var watch = document.querySelector('[data-dispatch-status], [data-document-status]') || /^\/(inbox|outbox|leader)/.test(location.pathname);
  if (watch && window.EventSource && document.body.getAttribute('data-agency')) {
    var es = new EventSource('/events');
    var notice = document.getElementById('live-notice');
    es.addEventListener('dispatch', function (ev) {
      var e;
      try { e = JSON.parse(ev.data); } catch (_) { return; }
      var known = false;
      if (e.dispatchId) {
        document.querySelectorAll('[data-dispatch-status="' + e.dispatchId + '"]').forEach(function (el) {
          known = true;
          el.textContent = LABELS[e.status] || e.status;
          el.className = 'pill st-' + e.status;
        });
      }
      if (!known && notice) {
        notice.hidden = false;
        notice.textContent = '';
        var a = document.createElement('a');
        a.href = location.pathname + location.search;
        a.textContent = 'Có cập nhật mới — tải lại trang';
        notice.appendChild(a);
      }
    });
  }

  // Notification centre: the unread count in the header and a line for each new notification, live.
  var bell = document.getElementById('notification-count');
  if (bell && window.EventSource) {
    var ns = new EventSource('/notifications/stream');
    ns.addEventListener('notification', function (ev) {
      var n;
      try { n = JSON.parse(ev.data); } catch (_) { return; }
      bell.textContent = String(n.unread);
      bell.hidden = !n.unread;
      if (!n.latest) return;
      var box = document.getElementById('notification-toast');
      if (!box) {
        box = document.createElement('div');
        box.id = 'notification-toast';
        box.className = 'notice live';
        box.setAttribute('role', 'status');
        var main = document.getElementById('main');
        main.insertBefore(box, main.firstChild);
      }
      var line = document.createElement('p');
      line.className = 'toast-item' + (n.latest.urgent ? ' urgent' : '');
      line.setAttribute('data-notification-kind', n.latest.kind);
      var a = document.createElement('a');
      a.href = n.latest.link || '/notifications';
      a.textContent = n.latest.title;
      line.appendChild(a);
      box.appendChild(line);
    });
  }
})();
