export interface PostgresServer extends AsyncDisposable {
  url: string;
}
export function startPostgres(): Promise<PostgresServer>;
