import { DateTime } from 'luxon';
import { type TObject, Type } from 'typebox';
import { FREE_ACCESS_DAYS, FREE_ACCESS_SETTING, PUBLIC_CODE_SETTING } from '../../access/panel-rules.ts';

/**
 * The panel settings public BAS-IP clients read and write, in the shapes those clients send and read
 * (SmartYard-Server's `hw/ip/domophone/basip` and `hw/ip/common/basip` classes), with the defaults a site
 * answers until an operator saves one. Portcullis is not a panel's hardware: unless `effect` says
 * otherwise a setting is validated, stored per site and read back, and changes nothing else
 * (docs/basip.md lists them). Ranges are Portcullis's where the panel documentation gives none.
 */
export interface SettingDefinition {
  /** The path under `/api/v1/`; `{lock}` stands for a lock number, 1 to 8, and each lock has its own value. */
  path: string;
  summary: string;
  schema: TObject;
  /**
   * What a site answers before anything is saved: `timezone` is the site's zone as a panel names it
   * (`UTC+03:00`), `zone` its IANA name; `lock` for a per-lock setting.
   */
  defaults: (context: { timezone: string; zone: string; lock: number }) => Record<string, unknown>;
  /**
   * Fields written but never stored nor shown (passwords of the panel's own SIP, RTSP, Link server):
   * read back as "". A dotted path names a field of a nested object.
   */
  secrets?: readonly string[];
  /**
   * A field stored only as its keyed hash, under `as` (the public unlock code, a secret like a PIN):
   * never read back, the default shows in its place.
   */
  hashed?: { field: string; as: string };
  /** What saving it does in Portcullis beyond storing it. */
  effect?: string;
}

const bool = (description: string) => Type.Boolean({ description });
const int = (minimum: number, maximum: number, description: string) => Type.Integer({ minimum, maximum, description });
const text = (maxLength: number, description: string) => Type.String({ maxLength, description });
const oneOf = (values: readonly string[], description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  );

/** A panel feature switched on or off (`{"is_enabled": …}`), stored and read back. */
const flag = (path: string, summary: string): SettingDefinition => ({
  path,
  summary,
  schema: Type.Object({ is_enabled: bool('The feature is on.') }),
  defaults: () => ({ is_enabled: false }),
});

/** Whether a zone changes its offset in the year: a panel's DST switch, read from the site's zone. */
const observesDst = (zone: string) => {
  const year = DateTime.now().setZone(zone).year;
  return DateTime.fromObject({ year, month: 1, day: 1 }, { zone }).offset !== DateTime.fromObject({ year, month: 7, day: 1 }, { zone }).offset;
};

const DAY_SECONDS = 86_400;

/** `UTC+03:00`, `UTC-05:30`, or `UTC±00:00`: how panels name a zone (by its offset). */
const OFFSET_ZONE = '^UTC(?:±00:00|[+-](?:0[0-9]|1[0-4]):[0-5][0-9])$';

export const SETTINGS: readonly SettingDefinition[] = [
  {
    path: 'access/general/lock/dtmf/{lock}',
    summary: 'The DTMF code that opens this lock during a call.',
    schema: Type.Object({ dtmf_code: Type.String({ pattern: '^[0-9*#]{1,8}$', description: '1 to 8 of 0-9, * and #.' }) }),
    defaults: ({ lock }) => ({ dtmf_code: String(lock) }),
  },
  {
    path: 'access/general/lock/timeout/{lock}',
    summary: 'How long this lock stays open, in seconds.',
    schema: Type.Object({ lock_timeout: int(1, 3600, 'Seconds, 1 to 3600.') }),
    defaults: () => ({ lock_timeout: 5 }),
  },
  {
    path: PUBLIC_CODE_SETTING,
    summary: 'The public code that opens the door from the keypad.',
    schema: Type.Object({
      input_code_enable: bool('The public code opens the door.'),
      input_code_number: int(0, 99_999_999, 'Up to 8 digits; stored hashed, read back as 0.'),
    }),
    defaults: () => ({ input_code_enable: false, input_code_number: 0 }),
    hashed: { field: 'input_code_number', as: 'input_code_hash' },
    effect: "While enabled, the code typed at a panel's lock opens its doors (docs/basip.md).",
  },
  {
    path: 'access/general/wiegand/type',
    summary: "The panel's Wiegand reader format.",
    schema: Type.Object({
      identifier_representation: oneOf(['hex', 'dec'], 'hex or dec.'),
      type: oneOf(
        ['wiegand_26', 'wiegand_32', 'wiegand_34', 'wiegand_37', 'wiegand_42', 'wiegand_56', 'wiegand_58', 'wiegand_64'],
        'The Wiegand frame.',
      ),
    }),
    defaults: () => ({ identifier_representation: 'hex', type: 'wiegand_26' }),
  },
  {
    path: 'access/door/sensor',
    summary: "The panel's door sensor.",
    schema: Type.Object({
      enable: bool('The door sensor is read.'),
      mode: oneOf(['door_sensor', 'exit_button'], 'door_sensor or exit_button.'),
      opening_delay: int(0, 604_800, 'Seconds before a door left open is logged.'),
      repeating_message_delay: int(0, 86_400, 'Seconds between repeated messages.'),
      repeating_message_enabled: bool('Repeat the message while the door stays open.'),
    }),
    defaults: () => ({ enable: false, mode: 'door_sensor', opening_delay: 86_400, repeating_message_delay: 60, repeating_message_enabled: false }),
  },
  {
    path: FREE_ACCESS_SETTING,
    summary: 'Free access: the locks open to anyone on these days and hours.',
    schema: Type.Object({
      enable: bool('Free access is on.'),
      days: Type.Array(
        Type.Object({
          lock: oneOf(['first', 'second', 'all'], 'first, second or all.'),
          enable: bool('This day is free.'),
          time_from: int(0, DAY_SECONDS - 1, 'Seconds after midnight.'),
          time_to: int(0, DAY_SECONDS - 1, 'Seconds after midnight.'),
          day: oneOf(FREE_ACCESS_DAYS, 'MON to SUN.'),
        }),
        { maxItems: 3 * FREE_ACCESS_DAYS.length },
      ),
    }),
    defaults: () => ({ enable: false, days: [] }),
    effect: "While enabled, inside an enabled day's hours the lock's doors open to anyone (docs/basip.md).",
  },
  {
    path: 'device/sip/settings',
    summary: "The panel's SIP account.",
    schema: Type.Object({
      outbound: text(255, 'Outbound proxy.'),
      password: text(255, 'Never stored nor shown.'),
      proxy: text(255, 'sip:host:port.'),
      realm: text(255, 'host:port.'),
      registration_interval: int(30, 900, 'Seconds.'),
      transport: oneOf(['udp', 'tcp', 'tls'], 'udp, tcp or tls.'),
      user: text(255, 'SIP user.'),
      user_id: text(255, 'SIP authentication id.'),
      stun: Type.Object({ ip: text(255, 'STUN server.'), port: int(1, 65_535, 'STUN port.') }),
    }),
    defaults: () => ({
      outbound: '',
      password: '',
      proxy: '',
      realm: '',
      registration_interval: 900,
      transport: 'udp',
      user: '',
      user_id: '',
      stun: { ip: '', port: 3478 },
    }),
    secrets: ['password'],
  },
  {
    path: 'device/sip/enable',
    summary: "The panel's SIP registration on or off.",
    schema: Type.Object({ sip_enable: bool('SIP is on.') }),
    defaults: () => ({ sip_enable: false }),
  },
  {
    path: 'device/settings/volume',
    summary: 'Speaker volume.',
    schema: Type.Object({ volume_level: int(0, 100, '0 to 100.') }),
    defaults: () => ({ volume_level: 80 }),
  },
  {
    path: 'device/settings/mic',
    summary: 'Microphone gain.',
    schema: Type.Object({ mic_gain_level: int(0, 100, '0 to 100.') }),
    defaults: () => ({ mic_gain_level: 80 }),
  },
  {
    path: 'device/settings/video',
    summary: 'Camera stream.',
    schema: Type.Object({
      fps: int(1, 60, 'Frames a second.'),
      video_resolution: Type.String({ pattern: '^[0-9]{3,4}x[0-9]{3,4}$', description: 'WIDTHxHEIGHT.' }),
    }),
    defaults: () => ({ fps: 25, video_resolution: '1280x720' }),
  },
  {
    path: 'device/settings/payload',
    summary: 'RTP payload type of H.264.',
    schema: Type.Object({ payload_codec_h264: int(96, 127, 'A dynamic payload type, 96 to 127.') }),
    defaults: () => ({ payload_codec_h264: 102 }),
  },
  {
    path: 'device/settings/rtsp',
    summary: "The panel's RTSP stream account.",
    schema: Type.Object({
      username: text(255, 'RTSP user.'),
      password: text(255, 'Never stored nor shown.'),
      is_audio_enabled: bool('Audio in the stream.'),
    }),
    defaults: () => ({ username: 'admin', password: '', is_audio_enabled: false }),
    secrets: ['password'],
  },
  {
    path: 'device/call/dial/timeout',
    summary: 'How long a call rings, and when it is forwarded, in seconds.',
    schema: Type.Object({ dial_timeout: int(5, 600, 'Seconds.'), forwarding_timeout: int(5, 600, 'Seconds.') }),
    defaults: () => ({ dial_timeout: 60, forwarding_timeout: 25 }),
  },
  {
    path: 'device/call/talk/timeout',
    summary: 'How long a call may last, in seconds.',
    schema: Type.Object({ talk_timeout: int(5, 3600, 'Seconds.') }),
    defaults: () => ({ talk_timeout: 120 }),
  },
  {
    path: 'device/call/concierge',
    summary: "The concierge's number.",
    schema: Type.Object({ number_enable: bool('Calls to the concierge are on.'), number_url: text(255, 'sip:number@host:port.') }),
    defaults: () => ({ number_enable: false, number_url: '' }),
  },
  {
    path: 'network/ntp',
    summary: "The panel's time server.",
    schema: Type.Object({
      custom_server: text(255, 'NTP server.'),
      enabled: bool('NTP is on.'),
      use_default: bool("Use the panel's default server."),
    }),
    defaults: () => ({ custom_server: '', enabled: true, use_default: true }),
  },
  {
    path: 'network/timezone',
    summary: "The panel's zone as an offset; read under both names models use (timezone, current_timezone).",
    schema: Type.Object({
      timezone: Type.String({ pattern: OFFSET_ZONE, description: 'UTC+03:00, UTC-05:30 or UTC±00:00.' }),
      current_timezone: Type.String({ pattern: OFFSET_ZONE, description: 'The same, as AA-07BD models name it.' }),
    }),
    defaults: ({ timezone }) => ({ timezone, current_timezone: timezone }),
  },
  {
    path: 'network/settings',
    summary: "The panel's own network interface.",
    schema: Type.Object({
      dhcp: bool('Addresses from DHCP.'),
      ip_address: text(45, 'IPv4 or IPv6 address.'),
      mask: text(45, 'Network mask.'),
      gateway: text(45, 'Gateway.'),
      dns: text(255, 'DNS servers.'),
    }),
    defaults: () => ({ dhcp: true, ip_address: '', mask: '', gateway: '', dns: '' }),
    effect: "None: Portcullis's own network is the host's.",
  },
  {
    path: 'syslog/settings',
    summary: 'Where the panel sends its syslog.',
    schema: Type.Object({
      enabled: bool('Syslog is sent.'),
      server: Type.Object({ port: int(1, 65_535, 'Port.'), server: text(255, 'Host.'), severity: int(0, 7, 'Syslog severity, 0 to 7.') }),
      tag: text(64, 'Tag.'),
    }),
    defaults: () => ({ enabled: false, server: { port: 514, server: '', severity: 6 }, tag: '' }),
  },
  {
    path: 'web/ssl',
    summary: "HTTPS for the panel's web server.",
    schema: Type.Object({ is_enabled: bool('HTTPS is on.') }),
    defaults: () => ({ is_enabled: true }),
    effect: 'None: Portcullis always answers over HTTPS (docs/abuse.md), whatever is saved.',
  },
  {
    path: 'access/general/lock/type',
    summary: 'The kind of lock on each relay.',
    schema: Type.Object({
      locks: Type.Array(
        Type.Object({
          lock_number: int(1, 8, 'Lock number, 1 to 8.'),
          type: oneOf(['electromagnetic', 'electromechanical'], 'electromagnetic or electromechanical.'),
        }),
        { maxItems: 8 },
      ),
    }),
    defaults: () => ({
      locks: [
        { lock_number: 1, type: 'electromagnetic' },
        { lock_number: 2, type: 'electromagnetic' },
      ],
    }),
  },
  {
    path: 'access/general/unlock/card/master',
    summary: "The master card, which enrols other cards at the panel's reader.",
    schema: Type.Object({ master_card: Type.String({ pattern: '^[0-9A-Fa-f]{0,32}$', description: 'The card\'s number; "" for none.' }) }),
    defaults: () => ({ master_card: '' }),
    effect: 'None: cards are enrolled through the identifier API, not at a reader.',
  },
  {
    path: 'device/relay/settings',
    summary: "The panel's relay position at rest.",
    schema: Type.Object({
      position_settings: Type.Object({ position: oneOf(['normally_closed', 'normally_open'], 'normally_closed or normally_open.') }),
    }),
    defaults: () => ({ position_settings: { position: 'normally_closed' } }),
  },
  {
    path: 'network/dst',
    summary: "The panel's daylight-saving switch; reads as the site's zone has it until saved.",
    schema: Type.Object({ is_enabled: bool('Daylight saving time is applied.') }),
    defaults: ({ zone }) => ({ is_enabled: observesDst(zone) }),
    effect: "None: Portcullis reads every time in the site's IANA zone, which carries its own daylight-saving rules.",
  },
  {
    path: 'network/management/link',
    summary: 'Whether the panel is managed by BAS-IP Link.',
    schema: Type.Object({ link_enable: bool('Link manages the panel.') }),
    defaults: () => ({ link_enable: false }),
  },
  {
    path: 'network/management/server',
    summary: 'The management server (BAS-IP Link) the panel connects to.',
    schema: Type.Object({
      is_enabled: bool('The panel connects to it.'),
      protocol: oneOf(['http', 'mqtt'], 'http or mqtt.'),
      settings: Type.Object({
        url: text(255, 'Server host, with a port if not the default.'),
        password: text(32, 'Never stored nor shown.'),
        is_logging_enabled: bool('The panel sends its log as it happens.'),
        is_encrypted: bool('MQTT over TLS.'),
      }),
    }),
    defaults: () => ({ is_enabled: false, protocol: 'http', settings: { url: '', password: '', is_logging_enabled: false, is_encrypted: false } }),
    secrets: ['settings.password'],
  },
  {
    path: 'device/sip/reregister',
    summary: 'Whether the panel re-registers its SIP account periodically.',
    schema: Type.Object({ is_reregister: bool('Re-register periodically.') }),
    defaults: () => ({ is_reregister: false }),
  },
  flag('device/call/auto_answer', 'Whether the panel answers incoming calls by itself.'),
  flag('device/call/drop', 'Whether the panel ends a call when the door is opened.'),
  flag('device/call/drop/lock-open', 'Whether the panel opens the lock when a call is dropped.'),
  flag('device/feature/rescue-service', 'The rescue-service feature (emergency services opening the door).'),
];

/** `GET /device/time`: the time now and the site's zone, as a panel states its clock. */
export const DeviceTime = Type.Object({
  time_unix: Type.Integer({ description: 'Unix seconds now.' }),
  timezone: Type.String({ description: "The panel zone setting (the site's zone until saved)." }),
  device_timezone: Type.String({ description: 'The same, as some models name it.' }),
});
/** `GET /network/mac`: a stable, locally administered address per site (Portcullis has no panel NIC). */
export const NetworkMac = Type.Object({ mac_address: Type.String() });
/** `GET /sip/status`: Portcullis registers no SIP account, whatever `device/sip/settings` holds. */
export const SipStatus = Type.Object({ sip_status: Type.String() });

/** The languages a panel's interface offers (`POST /device/language?language=…`). */
export const LANGUAGES = [
  'English',
  'Russian',
  'Ukrainian',
  'Spanish',
  'Polish',
  'Dutch',
  'Turkish',
  'French',
  'Danish',
  'Portuguese',
  'Deutsch',
] as const;

/** `/device/language`: read as JSON, written through the query string. */
const Language = oneOf(LANGUAGES, LANGUAGES.join(', '));
export const LANGUAGE_SETTING: SettingDefinition = {
  path: 'device/language',
  summary: "The panel interface's language.",
  schema: Type.Object({ language: Language, current_language: Language }),
  defaults: () => ({ language: 'English', current_language: 'English' }),
};
export const LanguageQuery = Type.Object({ language: Language }, { required: ['language'] });
/** `GET /device/language`: the setting, and every language the interface offers. */
export const LanguageAnswer = Type.Object({
  language: Type.String(),
  current_language: Type.String(),
  all_supported_languages: Type.Array(Type.String()),
});

/**
 * `/device/mode/current`: a panel serves one unit (Unit: its building, unit and device number) or a
 * whole building (Wall); written through `/device/mode/unit?…` and `/device/mode/wall?…`.
 */
export const MODE_SETTING: SettingDefinition = {
  path: 'device/mode/current',
  summary: "The panel's mode: one unit or a whole building.",
  schema: Type.Object({
    current_panel_mode: oneOf(['Unit', 'Wall'], 'Unit or Wall.'),
    building: Type.Integer(),
    unit: Type.Integer(),
    device: Type.Integer(),
    no_unit: Type.Boolean(),
  }),
  defaults: () => ({ current_panel_mode: 'Unit', building: 1, unit: 1, device: 1, no_unit: false }),
};
const NumberParam = (maximum: number) =>
  Type.String({ pattern: `^[0-9]{1,${String(maximum).length}}$`, description: `0 to ${maximum}.`, 'x-error': 'Wrong mode parameter' });
export const WallModeQuery = Type.Object({
  noUnit: Type.Optional(oneOf(['true', 'false'], 'true or false.')),
  device: Type.Optional(NumberParam(99)),
});
export const UnitModeQuery = Type.Object({
  building: Type.Optional(NumberParam(9999)),
  unit: Type.Optional(NumberParam(99)),
  device: Type.Optional(NumberParam(99)),
});

export const LockParams = Type.Object({
  lock: Type.String({ pattern: '^[1-8]$', description: 'Lock number, 1 to 8.', 'x-error': 'Wrong lock number' }),
});

/** Call forwarding of one flat. */
export const ForwardItem = Type.Object({
  forward_entity_list: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
    maxItems: 10,
    description: 'Where a call to the flat goes: SIP numbers or URIs.',
  }),
});
export const ForwardObject = Type.Object({ forward_number: Type.Integer(), forward_entity_list: Type.Array(Type.String()) });
export const FlatParams = Type.Object({
  flat: Type.String({ pattern: '^[0-9]{1,9}$', description: 'The flat number.', 'x-error': 'Wrong forward number' }),
});
export const ForwardUids = Type.Object(
  { uid_items: Type.Array(Type.Integer({ minimum: 0 }), { description: 'Flat numbers.' }) },
  { required: ['uid_items'] },
);

/** `GET /network/management/server/certificate`: Portcullis holds no certificate for a Link server. */
export const ServerCertificate = Type.Object({ uploaded: Type.Boolean() });

/** `POST /network/settings/static`: the panel's own address, the four fields the clients send. */
export const StaticNetwork = Type.Object(
  {
    ip_address: Type.String({ format: 'ipv4', description: 'IPv4 address.' }),
    mask: Type.String({ format: 'ipv4', description: 'Network mask.' }),
    gateway: Type.String({ format: 'ipv4', description: 'Gateway.' }),
    dns: Type.String({ maxLength: 255, description: 'DNS servers.' }),
  },
  { required: ['ip_address', 'mask', 'gateway'] },
);

/** `GET /access/door/status`, as a panel reports its door sensor. */
export const DoorStatus = Type.Object({
  is_timeout_exceed: Type.Boolean({ description: "A door has been open longer than the door sensor's opening_delay." }),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')], {
    description: 'open when any door a device of the site drives is reported open.',
  }),
  opentime: Type.Integer({ description: 'Seconds the longest-open door has been reported open; 0 when closed.' }),
  mode: Type.String({ description: "The door sensor's mode." }),
});

/** `GET /access/exit/button/toggle`: whether the door sensor's contacts act as an exit button. */
export const ExitButton = Type.Object({ enable: Type.Boolean() });
