// The object store (MinIO, versitygw or any S3 service), spoken to only through the minio
// client. Uploads are streams; a checksum is computed while the bytes pass through.
import { createHash } from 'node:crypto'
import { PassThrough, type Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as Minio from 'minio'
import type { Config } from './config.ts'

export interface ObjectStore {
  client: Minio.Client
  bucket: string
}

export function createObjectStore(s3: Config['s3']): ObjectStore {
  const endpoint = new URL(s3.endpoint)
  const client = new Minio.Client({
    endPoint: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : undefined,
    useSSL: endpoint.protocol === 'https:',
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    region: s3.region,
    pathStyle: true,
  })
  return { client, bucket: s3.bucket }
}

/** Creates the bucket when it does not exist yet. */
export async function ensureBucket(store: ObjectStore, region: string): Promise<void> {
  if (await store.client.bucketExists(store.bucket)) return
  try {
    await store.client.makeBucket(store.bucket, region)
  } catch (error) {
    // Another worker may have created it in the meantime.
    const code = (error as { code?: string }).code
    if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error
  }
}

export interface UploadResult {
  objectKey: string
  bytes: number
  sha256: string
}

/** Streams `body` into `objectKey`, returning its size and SHA-256 checksum. */
export async function uploadStream(
  store: ObjectStore,
  objectKey: string,
  body: Readable,
  contentType: string,
): Promise<UploadResult> {
  const hash = createHash('sha256')
  let bytes = 0
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      bytes += chunk.length
      callback(null, chunk)
    },
  })
  const upload = new PassThrough()
  const uploading = store.client.putObject(store.bucket, objectKey, upload, undefined, { 'Content-Type': contentType })
  await Promise.all([pipeline(body, tee, upload), uploading])
  return { objectKey, bytes, sha256: hash.digest('hex') }
}

/** Writes a small JSON document (a manifest). */
export async function putJson(store: ObjectStore, objectKey: string, document: unknown): Promise<void> {
  const body = Buffer.from(`${JSON.stringify(document, null, 2)}\n`)
  await store.client.putObject(store.bucket, objectKey, body, body.length, { 'Content-Type': 'application/json' })
}

/** Reads a whole object as text (manifests, tests). */
export async function readText(store: ObjectStore, objectKey: string): Promise<string> {
  const stream = await store.client.getObject(store.bucket, objectKey)
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
