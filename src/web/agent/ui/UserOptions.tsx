// The account's users as <option>s after a "nobody" choice (value ""), for owner and assignee selects.
import type { UserT } from '../../../shared/api.ts';

export function UserOptions({ users, none }: { users: UserT[] | undefined; none: string }) {
  return (
    <>
      <option value="">{none}</option>
      {(users ?? []).map((u) => (
        <option key={u.id} value={u.id}>
          {u.fullName || u.email}
        </option>
      ))}
    </>
  );
}
