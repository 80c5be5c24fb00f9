using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Defender.SampleApi.Data;

/// <summary>
/// Microsoft.Data.Sqlite does not cancel a running statement (<c>SqliteCommand.Cancel</c> does nothing, dotnet/efcore#38757):
/// this interrupts it (<c>sqlite3_interrupt</c>) when the token EF Core passes with the command is cancelled, as Npgsql and
/// SQL Server cancel theirs. It is what lets the OData query time budget (and a client that leaves) stop a SQLite query; the
/// interrupted command fails with SQLITE_INTERRUPT. docs/odata.md shows it; the OData package's tests use this file too.
/// </summary>
internal sealed class SqliteInterrupt : DbCommandInterceptor
{
    private readonly ConditionalWeakTable<DbCommand, StrongBox<CancellationTokenRegistration>> _registrations = [];
    private int _interrupted;

    /// <summary>How many statements were interrupted.</summary>
    public int Interrupted => Volatile.Read(ref _interrupted);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        // Registered until the reader is disposed or the command fails.
        if (cancellationToken.CanBeCanceled && command.Connection is SqliteConnection connection)
        {
            _registrations.AddOrUpdate(command, new(cancellationToken.Register(() =>
            {
                if (connection.Handle is { } handle)
                {
                    SQLitePCL.raw.sqlite3_interrupt(handle);
                    Interlocked.Increment(ref _interrupted);
                }
            })));
        }

        return ValueTask.FromResult(result);
    }

    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Release(command);
        return result;
    }

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(command);
        return Task.CompletedTask;
    }

    private void Release(DbCommand command)
    {
        if (_registrations.TryGetValue(command, out var registration))
        {
            registration.Value.Dispose();
            _registrations.Remove(command);
        }
    }
}
