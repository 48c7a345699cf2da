import type { PanelDecision, PanelSettings } from './panels.service.ts';

/** A remote-access answer in the panel's words. */
export function presentPanelDecision(decision: PanelDecision) {
  if (!decision.handled) return { handled: false as const };
  return { handled: true as const, access: { granted: decision.granted, lock_number: decision.lockNumber } };
}

/** The settings as a BAS-IP tool reads them: the URL is the saved template or the one derived from the request. */
export function presentRemoteControlSettings(settings: PanelSettings, derivedUrl: string) {
  return {
    enabled: settings.enabled,
    custom_server_enabled: settings.customServerEnabled,
    custom_server_api_url: settings.customServerApiUrl ?? derivedUrl,
  };
}
