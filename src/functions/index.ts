/**
 * Entry point for the Functions host: registers every function and checks the settings once, so that a ConfigError
 * stops start-up with its message instead of failing at the first timer. The timer schedules are checked here too:
 * the host reads them from the app settings itself, and without them it cannot index the timers.
 */
import { loadFunctionAppSettings } from '../shared/config/functionAppSettings';
import { protectionDeps } from './protectionContext';
import './advanceRuns';
import './alertIntake';
import './azureEvents';
import './dailyReconcile';
import './evidenceApi';
import './health';
import './nightlyProtection';

// No invocation exists yet, so the warnings go to the console, which the Node worker forwards to the host's log.
for (const warning of loadFunctionAppSettings(process.env).warnings) console.warn(`IBG settings: ${warning}`);
protectionDeps();
