// The audit dashboard's table: sort by a header, filter by text, verdict and class, open a file's findings.
(function () {
  var table = document.getElementById('files');
  var files = Array.prototype.slice.call(table.tBodies);
  var q = document.getElementById('q'), fv = document.getElementById('fv'), fc = document.getElementById('fc');
  var shown = document.getElementById('shown');
  function text(f) {
    var d = f.dataset;
    return [d.name, d.org, d.model, d.phase, d.verdict, d.reason, f.textContent].join(' ').toLowerCase();
  }
  function filter() {
    var s = q.value.toLowerCase(), v = fv.value, c = fc.value, n = 0;
    files.forEach(function (f) {
      var ok = (!v || f.dataset.verdict === v) && (!c || f.dataset['class'] === c) && (!s || text(f).indexOf(s) >= 0);
      f.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = shown.dataset.template.replace('{shown}', n).replace('{total}', files.length);
  }
  var order = {};
  table.tHead.addEventListener('click', function (e) {
    var th = e.target.closest('th');
    if (!th || !th.dataset.key) { return; }
    var key = th.dataset.key, numeric = th.dataset.num === '1';
    order[key] = order[key] === 1 ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.classList.remove('asc', 'desc'); });
    th.classList.add(order[key] === 1 ? 'asc' : 'desc');
    files.sort(function (a, b) {
      var x = a.dataset[key] || '', y = b.dataset[key] || '';
      if (numeric) {
        var nx = x === '' ? -Infinity : parseFloat(x), ny = y === '' ? -Infinity : parseFloat(y);
        return (nx - ny) * order[key];
      }
      return x.localeCompare(y) * order[key];
    });
    files.forEach(function (f) { table.appendChild(f); });
  });
  table.addEventListener('click', function (e) {
    var button = e.target.closest('button.open');
    if (!button) { return; }
    var detail = button.closest('tbody').querySelector('tr.detail');
    detail.hidden = !detail.hidden;
    button.setAttribute('aria-expanded', String(!detail.hidden));
    button.textContent = detail.hidden ? '\u25b8' : '\u25be';
  });
  [q, fv, fc].forEach(function (el) { el.addEventListener('input', filter); el.addEventListener('change', filter); });
  filter();
})();
