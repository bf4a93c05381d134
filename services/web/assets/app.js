/* Progressive enhancement only: every page works without this file. CSP forbids inline scripts. */
(function () {
  'use strict';

  // Folded as the server folds (no diacritics, đ → d, lower case): "noi vu" finds "Nội vụ".
  function fold(s) {
    return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[\u0111\u0110]/g, 'd').toLowerCase();
  }
  var ABBR = { ubnd: 'uy ban nhan dan', hdnd: 'hoi dong nhan dan', snv: 'so noi vu', tw: 'trung uong' };

  // Recipient picker: a search box that filters the agency list, without regard to diacritics.
  var search = document.getElementById('recipient-search');
  if (search) {
    search.closest('.picker-search').hidden = false;
    var items = document.querySelectorAll('.agency-list .check');
    search.addEventListener('input', function () {
      var words = fold(search.value).split(/[^a-z0-9.]+/).filter(Boolean);
      items.forEach(function (el) {
        var text = fold(el.getAttribute('data-search'));
        el.hidden = !words.every(function (w) { return text.indexOf(w) >= 0 || (ABBR[w] && text.indexOf(ABBR[w]) >= 0); });
      });
    });
  }

  // A select that applies itself (page size): the button stays for users without scripts.
  document.querySelectorAll('select[data-autosubmit]').forEach(function (sel) {
    sel.addEventListener('change', function () { sel.form.submit(); });
  });

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
    // Pages that show a document's copies re-read them from the server (all fields, not only the pills).
    var refreshing = {};
    function refresh(documentId, apply) {
      if (refreshing[documentId]) { refreshing[documentId] = 2; return; }
      refreshing[documentId] = 1;
      setTimeout(function () {
        fetch('/outbox/' + encodeURIComponent(documentId) + '/live', { credentials: 'same-origin', headers: { accept: 'application/json' } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) { if (data) apply(data); })
          .catch(function () { /* the next event or a reload will show it */ })
          .then(function () {
            var again = refreshing[documentId] === 2;
            refreshing[documentId] = 0;
            if (again) refresh(documentId, apply);
          });
      }, 150);
    }
    function applyDocument(documentId) {
      return function (data) {
        var box = document.querySelector('[data-live-document="' + documentId + '"]');
        if (box) {
          // An attempt history the clerk opened stays open when the copies are re-rendered.
          var open = [];
          box.querySelectorAll('details[data-attempts][open]').forEach(function (el) { open.push(el.getAttribute('data-attempts')); });
          box.innerHTML = data.dispatches;
          open.forEach(function (id) { var el = box.querySelector('details[data-attempts="' + id + '"]'); if (el) el.open = true; });
        }
        var files = document.querySelector('[data-live-files="' + documentId + '"]');
        if (files && typeof data.files === 'string') files.innerHTML = data.files;
        // The PDF frame is replaced only when something else is to be shown (re-setting it would reload the PDF).
        var pdf = document.querySelector('[data-live-pdf="' + documentId + '"]');
        if (pdf && typeof data.pdf === 'string') {
          var frame = pdf.querySelector('[data-pdf-role]');
          var shown = frame ? frame.getAttribute('data-pdf-role') : null;
          if (!shown || shown !== data.pdfRole || data.pdf.indexOf('data-pdf-role') < 0) pdf.innerHTML = data.pdf;
        }
        document.querySelectorAll('[data-document-status="' + documentId + '"]').forEach(function (el) { el.textContent = data.documentStatus; });
        var err = document.querySelector('[data-live-error="' + documentId + '"]');
        if (err) {
          err.textContent = data.lastError || '';
          err.hidden = !data.lastError;
          var label = document.querySelector('[data-live-error-label]');
          if (label) label.hidden = !data.lastError;
        }
      };
    }
    function applyRow(documentId) {
      return function (data) {
        var row = document.querySelector('[data-live-row="' + documentId + '"]');
        if (row && data.row) row.outerHTML = data.row;
      };
    }
    es.addEventListener('dispatch', function (ev) {
      var e;
      try { e = JSON.parse(ev.data); } catch (_) { return; }
      if (e.documentId && document.querySelector('[data-live-document="' + e.documentId + '"]')) return refresh(e.documentId, applyDocument(e.documentId));
      if (e.documentId && document.querySelector('[data-live-row="' + e.documentId + '"]')) return refresh(e.documentId, applyRow(e.documentId));
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
