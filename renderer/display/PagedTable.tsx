// A display table that shows as many whole rows as fit and rotates through the rest page by page.
//
// Every row is also rendered into an invisible copy of the table laid over the visible one (same width,
// fixed column widths), so each row's real height is known, wrapped lines included; the rows are cut
// into pages of whole rows by `pageStarts` (paging.ts). A ResizeObserver re-measures when the screen or
// a row changes size. A change of `resetKey` (a new call) shows the first page at once and restarts the timer.
import { Fragment, useCallback, useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { clampPage, nextPage, pageRange, pageStarts } from './paging.ts';

interface PagedTableProps<T> {
  /** id of the section title (the section is labelled by it) */
  titleId: string;
  title: string;
  tableClassName: string;
  testId: string;
  /** `<col>` elements: both copies of the table use these fixed widths */
  columns: ReactNode;
  /** the header row's cells */
  head: ReactNode;
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** one `<tr>`; `index` is the row's place in the whole list; `measuring` is the invisible copy (no test ids or highlights) */
  renderRow: (row: T, index: number, measuring: boolean) => ReactNode;
  /** at most this many rows on a page (null: as many as fit) */
  maxRows: number | null;
  pageSeconds: number;
  /** when this changes the first page shows at once */
  resetKey: string;
  /**
   * Publish the height of a full page (header + `maxRows` rows) as `--paged-reserve` on the rows' box, so CSS
   * can size the section to it (portrait recent calls) instead of to whatever page is showing.
   */
  reserve?: boolean;
}

interface Measured {
  available: number;
  heights: number[];
  /** header + the first `maxRows` rows */
  full: number;
}

export function PagedTable<T>(props: PagedTableProps<T>) {
  const { t } = useTranslation();
  const { rows, maxRows, pageSeconds, resetKey } = props;
  const pagerRef = useRef<HTMLDivElement>(null);
  const measureRef = useRef<HTMLTableElement>(null);
  const [measured, setMeasured] = useState<Measured | null>(null);
  const [paging, setPaging] = useState({ page: 0, resetKey });

  // A new call: back to the first page in this very render, not one frame later.
  let page = paging.page;
  if (paging.resetKey !== resetKey) {
    page = 0;
    setPaging({ page: 0, resetKey });
  }

  // Measured after every render, before paint (a changed row or a new call never shows a cut page), and
  // again whenever the screen or the rows change size without a render (resize, fonts arriving).
  const measure = useCallback(() => {
    const pager = pagerRef.current;
    const table = measureRef.current;
    if (!pager || !table) return;
    const head = table.tHead?.getBoundingClientRect().height ?? 0;
    const body = table.tBodies[0];
    const heights = body ? [...body.rows].map((r) => r.getBoundingClientRect().height) : [];
    const available = pager.clientHeight - head;
    const full = Math.ceil(head + heights.slice(0, maxRows ?? heights.length).reduce((a, b) => a + b, 0));
    setMeasured((m) => (m && m.available === available && m.full === full && sameHeights(m.heights, heights) ? m : { available, heights, full }));
  }, [maxRows]);
  useLayoutEffect(measure);
  useEffect(() => {
    const observer = new ResizeObserver(measure);
    if (pagerRef.current) observer.observe(pagerRef.current);
    if (measureRef.current) observer.observe(measureRef.current);
    return () => observer.disconnect();
  }, [measure]);

  // Until the first measurement (or for the one render before a changed list is measured) pages follow maxRows alone.
  const starts =
    measured && measured.heights.length === rows.length
      ? pageStarts(measured.heights, measured.available, maxRows)
      : pageStarts(rows.map(() => 0), Infinity, maxRows);
  const count = starts.length;
  const shown = clampPage(page, count);
  const { start, end } = pageRange(starts, shown, rows.length);

  useEffect(() => {
    if (count <= 1) return;
    const timer = window.setInterval(() => setPaging((p) => ({ ...p, page: nextPage(p.page, count) })), pageSeconds * 1_000);
    return () => window.clearInterval(timer);
  }, [count, pageSeconds, resetKey]);

  return (
    <>
      <h2 id={props.titleId} className="section-title paged__title">
        <span>{props.title}</span>
        {count > 1 && (
          <>
            {/* "1/3" for the eye; "第 1 页，共 3 页" for a screen reader (it sits outside the pill, in the title's colours) */}
            <span className="paged__indicator" aria-hidden="true" data-testid={`${props.testId}-page`}>
              {t('display.pageIndicator', { page: shown + 1, count })}
            </span>
            <span className="paged__sr">{t('display.pageOf', { page: shown + 1, count })}</span>
          </>
        )}
      </h2>
      <div
        className="paged"
        ref={pagerRef}
        data-testid={`${props.testId}-pager`}
        style={props.reserve && measured && measured.heights.length > 0 ? ({ '--paged-reserve': `${measured.full}px` } as CSSProperties) : undefined}
      >
        <table className={`${props.tableClassName} paged__table`} data-testid={props.testId} data-page={shown + 1} data-pages={count}>
          <colgroup>{props.columns}</colgroup>
          <thead>
            <tr>{props.head}</tr>
          </thead>
          <tbody>
            {rows.slice(start, end).map((row, i) => (
              <Fragment key={props.rowKey(row)}>{props.renderRow(row, start + i, false)}</Fragment>
            ))}
          </tbody>
        </table>
        <table className={`${props.tableClassName} paged__table paged__measure`} ref={measureRef} aria-hidden="true">
          <colgroup>{props.columns}</colgroup>
          <thead>
            <tr>{props.head}</tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <Fragment key={props.rowKey(row)}>{props.renderRow(row, i, true)}</Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function sameHeights(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((h, i) => h === b[i]);
}
