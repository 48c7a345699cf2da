import { Type } from 'typebox';
import { IDENTIFIER_TYPES } from '../../domain/credential-numbers.ts';

/** What a panel POSTs to its remote-access server for each identifier it reads. */
export const PanelAccessRequest = Type.Object(
  {
    identifier_number: Type.Union([Type.String({ pattern: '\\S' }), Type.Integer({ minimum: 0 })], {
      description: 'The number read: hex or decimal for cards, digits for input codes, a uuid for QR codes.',
    }),
    identifier_type: Type.Union(
      IDENTIFIER_TYPES.map((t) => Type.Literal(t)),
      { description: `One of ${IDENTIFIER_TYPES.join(', ')}.` },
    ),
  },
  { required: ['identifier_number', 'identifier_type'] },
);

export const PanelAccessAnswer = Type.Union([
  Type.Object({ handled: Type.Literal(false) }, { description: 'Portcullis does not decide: the panel decides by itself.' }),
  Type.Object({
    handled: Type.Literal(true),
    access: Type.Object({
      granted: Type.Boolean(),
      lock_number: Type.Integer({ description: 'The lock to open; 0 for every lock of the panel.' }),
    }),
  }),
]);

export const PanelKeyParams = Type.Object({
  device_key: Type.String({ description: 'The panel’s device key, from `portcullis device create`.' }),
});

export const LockNumberParams = Type.Object({
  lockNumber: Type.String({
    pattern: '^[0-9]{1,9}$',
    description: 'The lock to open on the site’s panels; 0 for every lock.',
    'x-error': 'Wrong lock number',
  }),
});

export const EmergencyOpenRequest = Type.Object(
  {
    locks: Type.Array(
      Type.Object(
        {
          lock_number: Type.Integer({ minimum: 0, description: 'The lock to open; 0 for every lock.' }),
          unlock_time: Type.Optional(
            Type.Union([Type.Integer({ minimum: 0, maximum: 604_800_000 }), Type.Null()], {
              description: 'Milliseconds, up to 7 days; null: none asked for. Recorded with the request, the device applies its own.',
            }),
          ),
        },
        { required: ['lock_number'] },
      ),
    ),
  },
  { required: ['locks'] },
);

export const EmergencyCloseRequest = Type.Object(
  {
    locks: Type.Array(Type.Integer({ minimum: 0, maximum: 8, description: 'A lock number, 1..8; 0 for every lock.' }), {
      description: 'The locks whose emergency opening is called off.',
    }),
  },
  { required: ['locks'] },
);

export const CloseAnswer = Type.Object({
  withdrawn: Type.Integer({ description: 'Extension: the unlock commands withdrawn before a device collected them.' }),
});

export const OpenAnswer = Type.Object({
  queued: Type.Integer({ description: 'Extension: the unlock commands queued (one per door and device).' }),
});

export const RemoteControlSettings = Type.Object({
  enabled: Type.Boolean({ description: 'Portcullis answers the panels’ remote-access questions.' }),
  custom_server_enabled: Type.Boolean({
    description: 'The panels ask a custom server (Portcullis); when either flag is off, panels are answered {"handled": false}.',
  }),
  custom_server_api_url: Type.String({
    description: 'The URL to give each panel, with {device_key} replaced by that panel’s key.',
  }),
});

export const RemoteControlSettingsUpdate = Type.Object(
  {
    enabled: Type.Boolean(),
    custom_server_enabled: Type.Boolean(),
    custom_server_api_url: Type.Optional(
      Type.Union([Type.String(), Type.Null()], {
        description: 'A public URL template containing {device_key} (behind a proxy); "" or null: derived from the request.',
      }),
    ),
  },
  { required: ['enabled', 'custom_server_enabled'] },
);
