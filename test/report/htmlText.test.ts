/** HTML escaping for the dashboard and the printable report: text stays text, Html is embedded once. */
import fc from 'fast-check';
import { escapeHtml, html, joinHtml, raw } from '../../src/shared/report/htmlText';

describe('escapeHtml', () => {
  it('escapes the five characters that end a text node or an attribute value', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('makes control and bidi characters visible', () => {
    expect(escapeHtml('ok\u202eevil\u001b[2J')).toBe('ok\\u202eevil\\x1b[2J');
  });

  it('no string escapes to markup: no < > " \' and every & starts an entity', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = escapeHtml(s);
        expect(out).not.toMatch(/[<>"']/);
        expect(out.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
      }),
    );
  });
});

describe('html', () => {
  it('a <script> in a value stays text', () => {
    const line = '<script>alert(1)</script>';
    expect(html`<td>${line}</td>`.markup).toBe('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>');
  });

  it('a value cannot leave a quoted attribute', () => {
    const name = '" onmouseover="alert(1)';
    expect(html`<td title="${name}">x</td>`.markup).toBe('<td title="&quot; onmouseover=&quot;alert(1)">x</td>');
  });

  it('nested Html is embedded once, not escaped again', () => {
    const cell = html`<b>${'a & b'}</b>`;
    expect(html`<td>${cell}</td>`.markup).toBe('<td><b>a &amp; b</b></td>');
  });

  it('arrays are embedded in order, strings in them escaped, Html in them kept', () => {
    const rows = ['<x>', html`<i>${'y'}</i>`, 3];
    expect(html`<p>${rows}</p>`.markup).toBe('<p>&lt;x&gt;<i>y</i>3</p>');
  });

  it('undefined, null and false embed nothing; numbers are text', () => {
    expect(html`[${undefined}${null}${false}${0}]`.markup).toBe('[0]');
  });

  it('a bidi override in a value is made visible', () => {
    expect(html`<td>${'invoice\u202egpj.exe'}</td>`.markup).toBe('<td>invoice\\u202egpj.exe</td>');
  });

  it("raw and joinHtml embed the app's own markup as is", () => {
    expect(joinHtml([raw('<hr>'), html`${'<'}`], '|').markup).toBe('<hr>|&lt;');
  });
});
