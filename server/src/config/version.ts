import { version } from '../../../package.json';

/** pipelint's version, from package.json at build time. */
export const PIPELINT_VERSION: string = version;
