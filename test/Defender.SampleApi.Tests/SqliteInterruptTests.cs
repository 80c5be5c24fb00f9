using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.SampleApi.Tests;

/// <summary>
/// On SQLite, cancelling EF Core's token did not stop a running statement (Microsoft.Data.Sqlite's <c>Cancel</c> does nothing),
/// so the OData query time budget and a client that leaves could not stop the sample's database work. The sample's
/// <see cref="SqliteInterrupt"/> interrupts the statement the token belongs to.
/// </summary>
public sealed class SqliteInterruptTests
{
    /// <summary>Rows without end: only an interrupt (or the process ending) stops the statement.</summary>
    private const string Endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i AS \"Value\" FROM n";

    [Fact]
    public async Task CancelledQuery_InterruptsItsRunningStatement()
    {
        await using var factory = new SampleApiFactory();
        var interrupt = factory.Services.GetRequiredService<SqliteInterrupt>();
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        using var cancel = new CancellationTokenSource();

        var rows = 0;
        var failure = await Record.ExceptionAsync(async () =>
        {
            await foreach (var row in db.Database.SqlQueryRaw<long>(Endless).AsAsyncEnumerable().WithCancellation(cancel.Token))
            {
                // The statement is running (its first row is here): cancel as the time budget or a leaving client does.
                rows++;
                await cancel.CancelAsync();
            }
        });

        Assert.Equal(1, rows);
        Assert.True(failure is OperationCanceledException or SqliteException { SqliteErrorCode: 9 }, failure?.ToString() ?? "the endless query ended");
        Assert.Equal(1, interrupt.Interrupted);

        // The connection serves the next statement: the interrupt ended only the one it was meant for.
        Assert.Equal([1L], await db.Database.SqlQueryRaw<long>("SELECT 1 AS \"Value\"").ToListAsync());
    }
}
