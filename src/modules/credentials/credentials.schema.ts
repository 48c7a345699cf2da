import { Type } from 'typebox';
import { FlagParam, IdInput, NumericParam, TextParam } from '../../http/schemas.ts';

/** A credential as `GET /credential` shows it. */
export const CredentialObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the credential.' }),
  card_num: Type.String({ description: 'The card number assigned to the credential.' }),
  name: Type.String({ description: 'The name of the credential.' }),
  credential_key: Type.String({ description: 'The credential registration key assigned to the user.' }),
  claim_status: Type.String({ description: 'Indicates if credential is claimed: "Claimed" or "Unclaimed".' }),
  user: Type.Array(
    Type.Object({
      id: Type.Integer({ description: 'The unique, system assigned id of the user.' }),
      name: Type.String({ description: 'The user\'s name, "Last, First".' }),
    }),
    {
      description: 'Abbreviated object for the user to which the credential is assigned: an array of one, or empty when unassigned.',
      'x-datatype': 'object',
    },
  ),
});

export const CredentialQuery = Type.Object({
  id: Type.Optional(NumericParam('id', 'Only the credential with this id.')),
  user_id: Type.Optional(NumericParam('user_id', 'Only the credentials of the user with this id.')),
  card_num: Type.Optional(TextParam('card_num', 'Only the credential with this card number.')),
});

/** One record of `DELETE /credential`. */
export const CredentialDelete = Type.Object({ id: IdInput('id', 'The unique, system assigned id of the credential.') }, { required: ['id'] });

/** One record of `POST /credential?claim` (extension). */
export const CredentialClaim = Type.Object(
  {
    credential_key: Type.String({
      pattern: '^\\s*[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}\\s*$',
      description: 'The registration key to claim, XXXX-XXXX-XXXX-XXXX.',
      'x-error': 'Invalid credential_key found (expected XXXX-XXXX-XXXX-XXXX)',
      'x-datatype': 'string',
    }),
  },
  { required: ['credential_key'] },
);

export const ClaimQuery = Type.Object({
  claim: Type.Optional(FlagParam('Required: claim the credentials whose keys the body lists.')),
});

export const CredentialSummaryObject = Type.Object({
  credentials: Type.Integer({ description: 'Total number of credentials issued in the system.' }),
  claimed: Type.Integer({ description: 'The number of credentials that have been claimed.' }),
  unclaimed: Type.Integer({ description: 'The number of credentials that have not been claimed.' }),
});
