using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Defender.SampleApi.Fleet;

/// <summary>
/// Data Protection's key ring in the sample's PostgreSQL database (table <c>DataProtectionKeys</c>), so every instance signs
/// and checks download links with the same keys. Its own context, so the key table is added to a database the sample made
/// before it existed, and the sample's model stays the Defender data.
/// </summary>
internal sealed class SampleKeyRingContext(DbContextOptions<SampleKeyRingContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
}

/// <summary>
/// Data Protection's EF Core repository, with the key table created on first use: Data Protection reads the key ring while the
/// host starts, before anything of the app's own runs.
/// </summary>
internal sealed class SampleKeyRingRepository : IXmlRepository
{
    private readonly EntityFrameworkCoreXmlRepository<SampleKeyRingContext> _keys;

    // Not cached on failure: a database that is away at start is tried again at Data Protection's next read.
    private readonly Lazy<bool> _table;

    public SampleKeyRingRepository(IServiceProvider services, ILoggerFactory loggerFactory)
    {
        _keys = new EntityFrameworkCoreXmlRepository<SampleKeyRingContext>(services, loggerFactory);
        _table = new Lazy<bool>(() => CreateTable(services), LazyThreadSafetyMode.PublicationOnly);
    }

    public IReadOnlyCollection<XElement> GetAllElements() => _table.Value ? _keys.GetAllElements() : [];

    public void StoreElement(XElement element, string friendlyName)
    {
        _ = _table.Value;
        _keys.StoreElement(element, friendlyName);
    }

    private static bool CreateTable(IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleKeyRingContext>();
        if (db.Database.SqlQuery<bool>($"SELECT to_regclass('\"DataProtectionKeys\"') IS NOT NULL AS \"Value\"").Single())
        {
            return true;
        }

        try
        {
            db.GetService<IRelationalDatabaseCreator>().CreateTables();
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.UniqueViolation)
        {
            // Another instance created it in the meantime.
        }

        return true;
    }
}
