/**
 * Entry point for the Functions host: registers every function and loads the settings once, so that a ConfigError
 * stops start-up with its message instead of failing at the first timer.
 */
import { protectionDeps } from './protectionContext';
import './advanceRuns';
import './azureEvents';
import './nightlyProtection';

protectionDeps();
