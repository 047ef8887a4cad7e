export { encodeCursor, decodeCursor, type CursorPosition, type SortValue } from './cursor.js';
export {
  paginate,
  preparePage,
  type PreparedPage,
  type PageArgs,
  type Page,
  type Edge,
  type SortSpec,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
} from './paginate.js';
