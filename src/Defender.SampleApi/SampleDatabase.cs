using Defender.SampleApi.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Defender.SampleApi;

/// <summary>
/// EF Core on SQLite: the file <c>SampleApi:DatabasePath</c> names, or (the default) a private in-memory database. The
/// in-memory one lives as long as one connection stays open, so this holds one for the application's lifetime; it uses a
/// shared cache, so each request still gets its own connection and concurrent requests do not share one.
/// </summary>
internal static class SampleDatabase
{
    public static IServiceCollection AddSampleDatabase(this IServiceCollection services, string? databasePath)
    {
        var connectionString = string.IsNullOrWhiteSpace(databasePath)
            ? $"Data Source=defender-sample-{Guid.NewGuid():N};Mode=Memory;Cache=Shared"
            : new SqliteConnectionStringBuilder { DataSource = databasePath }.ToString();
        services.AddSingleton(_ => new KeepAlive(connectionString));
        services.AddDbContext<SampleDbContext>(o => o
            .UseSqlite(connectionString)
            // A failed command is either a conflict the endpoint answers (a 4xx) or an exception the error middleware logs
            // once, at Error, with its target; EF Core's own Error line would be a second, target-less report of it.
            .ConfigureWarnings(w => w.Log(
                (RelationalEventId.CommandError, LogLevel.Warning),
                (CoreEventId.SaveChangesFailed, LogLevel.Warning))));
        return services;
    }

    /// <summary>Opens the database (holding the in-memory one alive), creates it and seeds it when it is new.</summary>
    public static void OpenAndSeed(this WebApplication app)
    {
        app.Services.GetRequiredService<KeepAlive>();
        using var scope = app.Services.CreateScope();
        SeedData.EnsureSeeded(scope.ServiceProvider.GetRequiredService<SampleDbContext>());
    }

    /// <summary>The connection that keeps an in-memory database alive; the container closes it when the host stops.</summary>
    private sealed class KeepAlive : IDisposable
    {
        private readonly SqliteConnection _connection;

        public KeepAlive(string connectionString)
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();
        }

        public void Dispose() => _connection.Dispose();
    }
}
