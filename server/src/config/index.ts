export {
  ConfigError,
  type LoadedConfig,
  type PipelintConfig,
  type PerFileIgnore,
  type SeverityOverride,
} from './types';
export {
  CONFIG_FILES,
  CONFIG_KEYS,
  ConfigResolver,
  isKnownSelector,
  lineOfKey,
  loadConfigFile,
  parseConfigText,
} from './load';
export {
  DEFAULT_FAIL_ON,
  DEFAULT_SEED,
  editorLayer,
  perFileIgnored,
  resolvePolicy,
  selectCodes,
  type FilePolicy,
  type SettingsLayer,
} from './resolve';
export { DocumentPolicies } from './document';
